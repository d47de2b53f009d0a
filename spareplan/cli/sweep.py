def sweep_command() -> int:
    return 0
