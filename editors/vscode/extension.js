// Starts `leaddsl lsp` (stdio) for .lead files and stops it with the editor.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("leaddsl");
  const command = config.get("server.command", "leaddsl");
  const args = ["lsp", ...config.get("server.extraArgs", [])];
  const serverOptions = { command, args, transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [{ language: "leaddsl" }],
    // an included file that changes, appears or is deleted re-checks the open files
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher("**/*.lead") },
  };
  client = new LanguageClient("leaddsl", "leaddsl", serverOptions, clientOptions);
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
