fn main() -> std::process::ExitCode {
    leastrole::main()
}
