import ArgumentParser
import Foundation
import VitrineServer

extension Vitrine {
    /// `vitrine login SERVER`: asks for email and password (no echo), gets an API token, caches it.
    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log in to a Vitrine server and keep an API token for the CLI.",
            discussion: "The token goes to ~/.config/vitrine/credentials.json (or VITRINE_CREDENTIALS), readable only by you. Revoke it with DELETE /api/v1/tokens/ID."
        )

        @Argument(help: "The server, e.g. https://vitrine.example.com or http://127.0.0.1:8080.")
        var server: String

        @Option(help: "Your account's email address (asked for when left out).")
        var email: String?

        @Flag(help: "Read the password from the first line of standard input instead of the terminal.")
        var passwordStdin = false

        func run() async throws {
            let address = try email ?? prompt("Email: ", echo: true)
            let password = try passwordStdin ? (readLine(strippingNewline: true) ?? "") : prompt("Password: ", echo: false)
            let host = ProcessInfo.processInfo.hostName
            do {
                let credentials = try await CLILogin.logIn(server: server, email: address, password: password, tokenName: "vitrine CLI on \(host)")
                let path = CLILogin.credentialsPath(environment: ProcessInfo.processInfo.environment)
                try CLILogin.save(credentials, to: path)
                printOut("logged in to \(credentials.server) as \(credentials.email); token saved in \(path)")
            } catch let failure as CLILogin.Failure {
                printError("vitrine login: \(failure.description)")
                throw ExitCode(1)
            }
        }

        /// Reads one line from the terminal, with echo off for secrets.
        func prompt(_ text: String, echo: Bool) throws -> String {
            FileHandle.standardError.write(Data(text.utf8))
            var saved = termios()
            let isTerminal = isatty(STDIN_FILENO) == 1 && tcgetattr(STDIN_FILENO, &saved) == 0
            if !echo && isTerminal {
                var quiet = saved
                quiet.c_lflag &= ~tcflag_t(ECHO)
                tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet)
            }
            defer {
                if !echo && isTerminal {
                    tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved)
                    FileHandle.standardError.write(Data("\n".utf8))
                }
            }
            guard let line = readLine(strippingNewline: true) else { throw ValidationError("no input") }
            return line
        }
    }
}
