"""A text progress bar for the command line, redrawn in place: [#######       ] 3/7."""

from collections.abc import Callable


def progress_bar(write: Callable[[str], object], width: int = 30) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        filled = width * done // max(total, 1)
        bar = f"\r[{'#' * filled}{' ' * (width - filled)}] {done}/{total}"
        write(bar + ("\n" if done == total else ""))

    return show
