#include "app/cli.h"

int main(int argc, char** argv) { return savoir::app::RunCli(argc, argv); }
