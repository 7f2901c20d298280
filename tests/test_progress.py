"""jitgrad.frontend.progress.ProgressBar: a redrawn line on a terminal, whole lines in a pipe."""

from __future__ import annotations

import io

from jitgrad.frontend.progress import ProgressBar


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_pipe_gets_a_line_every_n_steps_and_at_the_end():
    stream = io.StringIO()
    with ProgressBar(25, stream=stream, every=10) as bar:
        for i in range(25):
            bar.update(1, f"loss {i}")
    text = stream.getvalue()
    assert "\r" not in text
    lines = text.splitlines()
    assert [line.split()[1] for line in lines] == ["10/25", "20/25", "25/25"]
    assert lines[0].endswith("loss 9") and lines[-1].endswith("loss 24")
    assert "[" + "#" * 30 + "] 100%" in lines[-1]


def test_pipe_default_is_about_ten_lines():
    stream = io.StringIO()
    bar = ProgressBar(1000, stream=stream)
    for _ in range(1000):
        bar.update()
    bar.close()
    assert len(stream.getvalue().splitlines()) == 10


def test_status_only_update_prints_nothing_on_a_pipe():
    stream = io.StringIO()
    bar = ProgressBar(4, stream=stream, every=2)
    bar.update(1)
    bar.update(0, "epoch 1")
    assert stream.getvalue() == ""
    bar.update(1)
    assert stream.getvalue().endswith("epoch 1\n")


def test_terminal_redraws_one_line():
    stream = FakeTerminal()
    with ProgressBar(3, stream=stream, width=3) as bar:
        bar.update(1, "a longer status")
        bar.update(1, "short")
        bar.update(1)
    text = stream.getvalue()
    assert text.count("\r") == 3 and text.count("\n") == 1 and text.endswith("\n")
    frames = text.rstrip("\n").split("\r")[1:]
    assert frames[0].startswith("step 1/3 [#..]  33%")
    # a shorter frame is padded so no characters of the longer one before it remain
    assert len(frames[1]) == len(frames[0]) and frames[1].rstrip().endswith("short")
    assert frames[2].startswith("step 3/3 [###] 100%")
