import HandoffCLI

HandoffCommand.main()
