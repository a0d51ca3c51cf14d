"""Commitment implementation rollups: pure functions over plain rows, so that a test can check
them against a hand count.

For a set of (signatory, commitment) pairs — every signatory of the Pledge times every
commitment; a pair with no record counts as not started:
- `share_in_place` = pairs in place / pairs;
- `progress` = Σ points / pairs, where not started = 0, in progress = 50, in place = 100.
By commitment: the pairs of that commitment (one per signatory). By region: the pairs of the
signatories in that region (signatories × commitments).
"""

from dataclasses import dataclass, field

from wg.pledge.models import STATUS_POINTS

STATUSES = ("not_started", "in_progress", "in_place")


@dataclass
class Figures:
    counts: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))

    def add(self, status):
        self.counts[status] += 1

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def share_in_place(self):
        """Pairs in place / pairs, between 0 and 1 (None for no pairs)."""
        return self.counts["in_place"] / self.total if self.total else None

    @property
    def progress(self):
        """Weighted progress, 0 to 100 (None for no pairs)."""
        if not self.total:
            return None
        return sum(STATUS_POINTS[s] * n for s, n in self.counts.items()) / self.total


@dataclass
class Rollup:
    overall: Figures
    by_commitment: dict  # commitment id -> Figures
    by_region: dict  # region code -> Figures


def compute(signatories, commitment_ids, statuses):
    """The rollups.

    signatories: [(participant id, region code)]; commitment_ids: [id]; statuses: {(participant
    id, commitment id): status value} — a missing pair is "not_started".
    """
    overall = Figures()
    by_commitment = {cid: Figures() for cid in commitment_ids}
    by_region = {}
    for participant_id, region in signatories:
        region_figures = by_region.setdefault(region, Figures())
        for cid in commitment_ids:
            status = statuses.get((participant_id, cid), "not_started")
            status = getattr(status, "value", status)
            overall.add(status)
            by_commitment[cid].add(status)
            region_figures.add(status)
    return Rollup(overall, by_commitment, by_region)
