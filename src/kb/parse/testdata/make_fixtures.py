#!/usr/bin/env python3
"""Writes the binary document fixtures of the parser tests (DOCX, PPTX, ODT, PDF and the
broken variants) into this folder, deterministically.

Office files are written as their XML parts zipped with Python's zipfile (fixed timestamps);
PDFs are written object by object. Two fixtures need Debian tools: encrypted.pdf (qpdf) and
encrypted_entries.docx (zip -P). Run from anywhere: python3 make_fixtures.py
The text fixtures (sample.md, sample.html, ...) are edited by hand; the golden JSON files are
refreshed by running parse_test with SAVOIR_UPDATE_GOLDEN=1 and then reviewed.
"""
import os
import shutil
import subprocess
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
STAMP = (2024, 1, 1, 0, 0, 0)


def write_zip(path, parts, stored_first=None):
    with zipfile.ZipFile(path, "w") as z:
        if stored_first:
            name, data = stored_first
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_STORED
            z.writestr(info, data)
        for name, data in parts:
            info = zipfile.ZipInfo(name, STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


# ---------------------------------------------------------------- DOCX
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'


def wp(text, style=None, num=None, extra=""):
    ppr = ""
    if style or num:
        ppr = "<w:pPr>"
        if style:
            ppr += f'<w:pStyle w:val="{style}"/>'
        if num:
            ppr += f'<w:numPr><w:ilvl w:val="{num[1]}"/><w:numId w:val="{num[0]}"/></w:numPr>'
        ppr += "</w:pPr>"
    return f'<w:p>{ppr}<w:r><w:t xml:space="preserve">{text}</w:t></w:r>{extra}</w:p>'


def docx_parts(body):
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
        '</Types>')
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '</Relationships>')
    styles = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:styles {W}>'
        '<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Titre"><w:name w:val="Title"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="Titre1"><w:name w:val="heading 1"/>'
        '<w:pPr><w:outlineLvl w:val="0"/></w:pPr></w:style>'
        '<w:style w:type="paragraph" w:styleId="Titre2"><w:name w:val="heading 2"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="MyChapter"><w:name w:val="Chapitre"/>'
        '<w:basedOn w:val="Titre1"/></w:style>'
        '<w:style w:type="paragraph" w:styleId="SourceCode"><w:name w:val="Source Code"/></w:style>'
        '</w:styles>')
    numbering = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:numbering {W}>'
        '<w:abstractNum w:abstractNumId="0">'
        '<w:lvl w:ilvl="0"><w:numFmt w:val="bullet"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:numFmt w:val="bullet"/></w:lvl></w:abstractNum>'
        '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:numFmt w:val="decimal"/></w:lvl>'
        '</w:abstractNum>'
        '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>'
        '<w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
        '</w:numbering>')
    core = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        '<dc:title>Guide d\'installation</dc:title><dc:creator>Marie Curie</dc:creator>'
        '<dc:language>fr-FR</dc:language>'
        '<dcterms:created xsi:type="dcterms:W3CDTF">2024-03-01T10:00:00Z</dcterms:created>'
        '<dcterms:modified xsi:type="dcterms:W3CDTF">2024-03-02T11:30:00Z</dcterms:modified>'
        '</cp:coreProperties>')
    document = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {W} {R}><w:body>{body}</w:body></w:document>'
    return [("[Content_Types].xml", content_types), ("_rels/.rels", rels),
            ("word/document.xml", document), ("word/styles.xml", styles),
            ("word/numbering.xml", numbering), ("docProps/core.xml", core)]


def docx_body():
    cell = lambda t: f'<w:tc><w:p><w:r><w:t>{t}</w:t></w:r></w:p></w:tc>'
    row = lambda *cells: "<w:tr>" + "".join(cell(c) for c in cells) + "</w:tr>"
    return "".join([
        wp("Guide d'installation", "Titre"),
        wp("Ce guide explique l'installation de Savoir. Il faut env. 10 min."),
        wp("Prérequis", "Titre1"),
        wp("Un serveur Debian 12", num=(1, 0)),
        wp("2 cœurs", num=(1, 1)),
        wp("Une connexion réseau", num=(1, 0)),
        wp("Linux", "Titre2"),
        '<w:p><w:r><w:t xml:space="preserve">Lancez </w:t></w:r>'
        '<w:del w:id="1" w:author="x"><w:r><w:delText>PAS CECI</w:delText></w:r></w:del>'
        '<w:hyperlink r:id="rId9"><w:r><w:t>le script</w:t></w:r></w:hyperlink>'
        '<w:r><w:t xml:space="preserve"> puis redémarrez.</w:t></w:r>'
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>',
        wp("Étape un", num=(2, 0)),
        wp("Étape deux", num=(2, 0)),
        wp("make install", "SourceCode"),
        wp("savoir serve --port 8080", "SourceCode"),
        wp("Annexe", "MyChapter"),
        "<w:tbl>" + row("Option", "Défaut") + row("port", "8080") + row("threads", "2") + "</w:tbl>",
        '<w:sectPr/>',
    ])


# ---------------------------------------------------------------- PPTX
P = 'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"'
A = 'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'


def sp(ph_type, paragraphs, ph=True):
    phx = ""
    if ph:
        phx = '<p:ph/>' if ph_type == "" else f'<p:ph type="{ph_type}"/>'
    paras = ""
    for p in paragraphs:
        if isinstance(p, tuple):
            text, lvl = p
            paras += f'<a:p><a:pPr lvl="{lvl}"/><a:r><a:t>{text}</a:t></a:r></a:p>'
        else:
            paras += f'<a:p><a:r><a:t>{p}</a:t></a:r></a:p>'
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="2" name="s"/><p:cNvSpPr/><p:nvPr>{phx}</p:nvPr></p:nvSpPr>'
            f'<p:spPr/><p:txBody><a:bodyPr/>{paras}</p:txBody></p:sp>')


def slide(shapes):
    return (f'<?xml version="1.0" encoding="UTF-8"?><p:sld {P} {A} {R}><p:cSld><p:spTree>'
            f'<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>'
            f'{shapes}</p:spTree></p:cSld></p:sld>')


def pptx_parts():
    rel = lambda rid, kind, target: (
        f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" Target="{target}"/>')
    rels_doc = lambda *r: ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                           + "".join(r) + '</Relationships>')
    table = ('<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="5" name="t"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>'
             '<p:xfrm/><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl>'
             + "".join('<a:tr h="1">' + "".join(f'<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>{c}</a:t></a:r></a:p></a:txBody></a:tc>' for c in row) + '</a:tr>'
                       for row in [("Quarter", "Revenue"), ("Q1", "1.2 M€"), ("Q2", "1.5 M€")])
             + '</a:tbl></a:graphicData></a:graphic></p:graphicFrame>')
    # Slide files are deliberately numbered against the presentation order.
    slide_title = slide(sp("ctrTitle", ["Quarterly review"]) + sp("subTitle", ["Sales team, 2024"]))
    slide_body = slide(sp("body", [("Revenue grew by 12%.", 0), ("Mostly in Europe", 1),
                                   ("Costs were stable.", 0)])
                       + sp("title", ["Highlights"]) + sp("sldNum", ["2"]))
    slide_table = slide(sp("title", ["Figures"]) + table
                        + sp("", ["Free text box."], ph=False))
    notes = (f'<?xml version="1.0" encoding="UTF-8"?><p:notes {P} {A}><p:cSld><p:spTree>'
             + sp("sldImg", []) + sp("body", ["Mention the new office in Lyon."])
             + '</p:spTree></p:cSld></p:notes>')
    presentation = (f'<?xml version="1.0" encoding="UTF-8"?><p:presentation {P} {R}><p:sldIdLst>'
                    '<p:sldId id="256" r:id="rId7"/><p:sldId id="257" r:id="rId5"/><p:sldId id="258" r:id="rId6"/>'
                    '</p:sldIdLst></p:presentation>')
    core = ('<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>Ada Lovelace</dc:creator></cp:coreProperties>')
    content_types = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="xml" ContentType="application/xml"/></Types>')
    return [
        ("[Content_Types].xml", content_types),
        ("_rels/.rels", rels_doc(rel("rId1", "officeDocument", "ppt/presentation.xml"))),
        ("ppt/presentation.xml", presentation),
        ("ppt/_rels/presentation.xml.rels", rels_doc(rel("rId5", "slide", "slides/slide3.xml"),
                                                     rel("rId6", "slide", "slides/slide1.xml"),
                                                     rel("rId7", "slide", "slides/slide2.xml"))),
        ("ppt/slides/slide2.xml", slide_title),
        ("ppt/slides/slide3.xml", slide_body),
        ("ppt/slides/_rels/slide3.xml.rels", rels_doc(rel("rId1", "notesSlide", "../notesSlides/notesSlide1.xml"))),
        ("ppt/notesSlides/notesSlide1.xml", notes),
        ("ppt/slides/slide1.xml", slide_table),
        ("docProps/core.xml", core),
    ]


# ---------------------------------------------------------------- ODT
ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/"')


def odt_parts(encrypted=False):
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ODT_NS} office:version="1.3">'
        '<office:automatic-styles>'
        '<text:list-style style:name="L1"><text:list-level-style-bullet text:level="1" text:bullet-char="•"/>'
        '<text:list-level-style-number text:level="2" style:num-format="1"/></text:list-style>'
        '<text:list-style style:name="L2"><text:list-level-style-number text:level="1" style:num-format="1"/></text:list-style>'
        '</office:automatic-styles>'
        '<office:body><office:text>'
        '<text:h text:outline-level="1">Rapport annuel</text:h>'
        '<text:p>Le chiffre d\'affaires a<text:s text:c="2"/>progressé de 12 %.<text:note><text:note-body>'
        '<text:p>Note de bas de page ignorée.</text:p></text:note-body></text:note></text:p>'
        '<text:section text:name="S1"><text:h text:outline-level="2">Détails</text:h>'
        '<text:p>Voir le <text:a xlink:href="https://example.org" xmlns:xlink="http://www.w3.org/1999/xlink">site</text:a>.</text:p>'
        '</text:section>'
        '<text:list text:style-name="L1"><text:list-item><text:p>Europe</text:p>'
        '<text:list><text:list-item><text:p>France</text:p></text:list-item>'
        '<text:list-item><text:p>Belgique</text:p></text:list-item></text:list></text:list-item>'
        '<text:list-item><text:p>Amérique</text:p></text:list-item></text:list>'
        '<text:list text:style-name="L2"><text:list-item><text:p>Premier</text:p></text:list-item>'
        '<text:list-item><text:p>Second</text:p></text:list-item></text:list>'
        '<table:table table:name="T1"><table:table-header-rows><table:table-row>'
        '<table:table-cell><text:p>Région</text:p></table:table-cell><table:table-cell><text:p>Part</text:p></table:table-cell>'
        '</table:table-row></table:table-header-rows><table:table-row>'
        '<table:table-cell><text:p>Europe</text:p></table:table-cell><table:table-cell><text:p>60 %</text:p></table:table-cell>'
        '</table:table-row></table:table>'
        '</office:text></office:body></office:document-content>')
    meta = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-meta {ODT_NS}><office:meta>'
            '<dc:title>Rapport 2024</dc:title><meta:initial-creator>Jean Dupont</meta:initial-creator>'
            '<meta:creation-date>2024-02-01T09:00:00</meta:creation-date><dc:date>2024-02-03T18:00:00</dc:date>'
            '<dc:language>fr</dc:language></office:meta></office:document-meta>')
    enc = ('<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
           if encrypted else '')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                f'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">{enc}</manifest:file-entry>'
                '</manifest:manifest>')
    return [("META-INF/manifest.xml", manifest), ("content.xml", content), ("meta.xml", meta)]


# ---------------------------------------------------------------- PDF
def pdf_escape(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages, info):
    """pages: list of lists of (font_size, y, text). Helvetica, WinAnsi."""
    objects = []

    def add(body):
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pages_id = len(objects) + 1 + 2 * len(pages)
    kids = []
    for lines in pages:
        stream = b"BT\n"
        for size, y, text in lines:
            stream += b"/F1 %d Tf 1 0 0 1 72 %d Tm (%s) Tj\n" % (size, y, pdf_escape(text).encode("cp1252"))
        stream += b"ET\n"
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"endstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R >> >> >>" % (pages_id, content, font)))
    assert add(b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), len(kids))) == pages_id
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    info_id = add(b"<< " + b" ".join(b"/%s (%s)" % (k.encode(), v.encode("cp1252")) for k, v in info) + b" >>")
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += (b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, catalog, info_id, xref))
    return out


def pdf_pages():
    page1 = [
        (18, 720, "Annual Report"),
        (11, 690, "The company grew strongly this year. Revenue reached"),
        (11, 676, "new highs in every region, and the team doubled in"),
        (11, 662, "size. Our customers appre-"),
        (11, 648, "ciate the new product line."),
        (11, 610, "A second paragraph starts here, after a gap."),
    ]
    page2 = [
        (14, 740, "Outlook"),
        (11, 720, "Page two holds the outlook: steady growth, careful spending."),
        (11, 682, "- first bullet point"),
        (11, 668, "- second bullet point"),
    ]
    return [page1, page2]


def main():
    os.chdir(HERE)
    write_zip("sample.docx", docx_parts(docx_body()))
    write_zip("sample.pptx", pptx_parts())
    mimetype = ("mimetype", "application/vnd.oasis.opendocument.text")
    write_zip("sample.odt", odt_parts(), stored_first=mimetype)
    write_zip("encrypted.odt", odt_parts(encrypted=True), stored_first=mimetype)
    info = [("Title", "Annual Report 2024"), ("Author", "Finance Team"),
            ("CreationDate", "D:20240115093000Z")]
    pdf = make_pdf(pdf_pages(), info)
    with open("sample.pdf", "wb") as f:
        f.write(pdf)

    # Broken and hostile variants.
    with open("corrupt.pdf", "wb") as f:
        f.write(b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\n" + bytes(range(256)) * 4)
    with open("sample.docx", "rb") as f:
        docx = f.read()
    with open("truncated.docx", "wb") as f:
        f.write(docx[: len(docx) // 2])
    bomb_body = "<w:p><w:r><w:t>x</w:t></w:r></w:p>" + " " * (48 << 20)
    write_zip("zip_bomb.docx", docx_parts(bomb_body))
    laughs = ('<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
              + "".join(f'<!ENTITY {c} "' + ("&" + p + ";") * 10 + '">'
                        for p, c in zip("abcdefgh", "bcdefghi"))
              + ']>')
    parts = docx_parts("<w:p><w:r><w:t>&i;</w:t></w:r></w:p>")
    parts = [(n, d.replace("<w:document", laughs + "<w:document", 1) if n == "word/document.xml" else d)
             for n, d in parts]
    write_zip("entities.docx", parts)
    with open("encrypted_office.docx", "wb") as f:
        # The start of an OLE2 compound file as Office writes for password-protected OOXML.
        f.write(b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1" + b"\0" * 504
                + "EncryptionInfo".encode("utf-16-le") + b"\0" * 50
                + "EncryptedPackage".encode("utf-16-le") + b"\0" * 400)
    with open("image.png", "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + b"\0\0\0\rIHDR" + b"\0" * 64)
    with open("empty.txt", "wb") as f:
        pass
    with open("blank.txt", "wb") as f:
        f.write(b"  \n\n\t \n")
    write_zip("not_office.zip", [("readme.txt", "hello")])

    # Text in the encodings the decoder must recognise.
    text = "Café, crème brûlée et 5 €.\n\nSecond paragraphe — fin.\n"
    with open("latin1.txt", "wb") as f:
        f.write(text.encode("cp1252"))
    with open("utf16le.txt", "wb") as f:
        f.write(b"\xff\xfe" + text.encode("utf-16-le"))
    with open("utf16be.txt", "wb") as f:
        f.write(b"\xfe\xff" + text.encode("utf-16-be"))

    with tempfile.TemporaryDirectory() as tmp:
        if shutil.which("qpdf"):
            subprocess.run(["qpdf", "--static-id", "--encrypt", "user-pw", "owner-pw", "256", "--",
                            "sample.pdf", "encrypted.pdf"], check=True)
        if shutil.which("zip"):
            for name, data in docx_parts(docx_body()):
                path = os.path.join(tmp, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                with open(path, "w", encoding="utf-8") as f:
                    f.write(data)
                os.utime(path, (1704067200, 1704067200))
            out = os.path.join(HERE, "encrypted_entries.docx")
            if os.path.exists(out):
                os.remove(out)
            subprocess.run(["zip", "-q", "-X", "-r", "-P", "secret", out, "."], cwd=tmp, check=True)


if __name__ == "__main__":
    main()
