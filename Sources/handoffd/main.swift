import HandoffdCLI

await HandoffdCommand.runAsMain()
