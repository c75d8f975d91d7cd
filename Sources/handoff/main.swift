import HandoffCLI

await HandoffCommand.runAsMain()
