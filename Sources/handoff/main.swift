import HandoffCLI

HandoffCommand.runAsMain()
