// custos: one-shot scans, classification, policy checks, findings review and reports
// from the command line, and requests to a running custosd. Every subcommand is a file
// of its own that adds itself to the one definition of the command line.
#include "command_line.h"

int main(int argc, char** argv) {
  using namespace custos::cli;
  CommandLine cl;
  AddScan(cl);
  AddClassify(cl);
  AddCheckConfig(cl);
  AddDetectors(cl);
  AddFindings(cl);
  AddReport(cl);
  AddInventory(cl);
  AddStatus(cl);
  AddScanNow(cl);
  AddReload(cl);
  AddHelp(cl);
  AddGenerators(cl);
  return cl.Run(argc, argv);
}
