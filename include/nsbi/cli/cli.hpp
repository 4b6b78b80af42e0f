#pragma once
// Command-line entry point: parses argv with CLI11 and dispatches to the subcommands. Errors
// print one line for the whole job and exit with code 2 (bad input) or 1 (a failed run or an
// internal error); see nsbi::exit_code and cli.cpp.
namespace nsbi::cli {
int main(int argc, char** argv);
}
