"""axe-core's accessibility check on a page, as the browser tests run it."""

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]


def serious_findings(page) -> list[str]:
    """Serious and critical axe findings on the page, as "rule target"."""
    # Evaluated by the test driver rather than added as an inline <script>, which the page's CSP refuses.
    page.evaluate(AXE.read_text() + "\n;undefined")
    return page.evaluate(
        """async (tags) => {
            const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
            return result.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .flatMap((v) => v.nodes.map((n) => `${v.id} ${n.target.join(" ")}`));
        }""",
        TAGS,
    )
