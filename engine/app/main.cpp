// The `nsbi` executable: a thin CLI11 front end over the library (engine/cli/).
#include "nsbi/cli/cli.hpp"

int main(int argc, char** argv) { return nsbi::cli::main(argc, argv); }
