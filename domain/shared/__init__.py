"""The shared kernel: value objects and base errors every context speaks."""
