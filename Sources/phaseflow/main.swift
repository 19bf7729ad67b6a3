// Entry point: run the command; every failure becomes one line on stderr and a non-zero exit.
Phaseflow.runReportingErrors()
