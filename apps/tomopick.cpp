#include "tomopick/cli/commands.h"

int main(int argc, char** argv) { return tomopick::cli::run(argc, argv); }
