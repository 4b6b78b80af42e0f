#pragma once
// Command-line entry point: parses argv with CLI11 and dispatches to the subcommands. Errors
// derived from nsbi::Error print one line and exit with code 2.
namespace nsbi::cli {
int main(int argc, char** argv);
}
