"""The student's debrief page in a browser: the self-assessment comes before any score."""

from __future__ import annotations


def rate_self_then_read(page, level: str = "2") -> None:
    """Fill the self-assessment form (one level for every block), submit it, wait for the criteria."""
    page.wait_for_selector("#auto-evaluation")  # the student rates themself before seeing the scores
    assert page.locator("details.criterion").count() == 0, "a score is shown before the self-assessment"
    for radio in page.locator(f"#auto-evaluation input[value='{level}']").all():
        radio.check()
    page.click("#auto-evaluation button[type=submit]")
    page.wait_for_selector("details.criterion")
