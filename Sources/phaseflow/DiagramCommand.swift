import ArgumentParser
struct DiagramCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diagram", abstract: "todo")
    func run() throws {}
}
