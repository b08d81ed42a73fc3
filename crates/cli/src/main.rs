//! Entry point of the `govshare` binary.

fn main() -> std::process::ExitCode {
    govshare::commands::main()
}
