"""Test-only: run the real ``poll`` and ``deliver`` flows in a child process, optionally
killing it with SIGKILL at a chosen point (``runner``).  Nothing here is imported by the
product; the hooks are installed by monkeypatching in the child only."""
