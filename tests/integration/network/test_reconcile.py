"""``reconcile-network`` finds a change made in the HLR behind our back and queues its repair."""

from __future__ import annotations

from recovery.models import AuditEvent, ProvisioningOperation
from recovery.network.worker import Worker
from tests.integration.claims.conftest import IVANOV
from tests.integration.network.conftest import in_network, rows
from tests.integration.network.test_hlr import _block_claim

DIGITS = IVANOV["msisdn"].lstrip("+")


def test_reconciliation_reports_a_difference_and_fix_repairs_it(
    app, runner, session, config, clock, hlr, ivanov
):
    in_network(session, hlr, ivanov)
    _block_claim(session, config, clock)
    Worker(app).run_once()
    agreed = runner.invoke(args=["reconcile-network"])
    assert agreed.exit_code == 0, agreed.output
    assert agreed.output.strip().endswith("0 difference(s)")

    hlr.set(f"subscriber.by-msisdn-{DIGITS}.cs-enabled", "1")  # someone unbars it in the HLR
    found = runner.invoke(args=["reconcile-network"])
    assert found.exit_code == 1
    assert f"{IVANOV['msisdn']}: nam_cs is 1 in the HLR, expected 0 (blocked)" in found.output
    assert len(rows(session)) == 1  # reporting queues nothing

    fixed = runner.invoke(args=["reconcile-network", "--fix"])
    assert fixed.exit_code == 0 and "1 repair(s) queued" in fixed.output
    assert [row.operation for row in rows(session)][-1] is ProvisioningOperation.BLOCK
    Worker(app).run_once()
    assert hlr.get(f"subscriber.by-msisdn-{DIGITS}.cs-enabled") == "0"
    assert runner.invoke(args=["reconcile-network"]).exit_code == 0
    actions = [event.action for event in session.query(AuditEvent).order_by(AuditEvent.id)]
    assert actions.count("network.reconciled") == 4


def test_a_number_missing_from_the_hlr_is_reported(runner, session, hlr, ivanov):
    from tests.integration.network.conftest import add_card

    card = add_card(session, ivanov.current_sim.iccid)
    result = runner.invoke(args=["reconcile-network"])
    assert result.exit_code == 1
    assert f"{IVANOV['msisdn']}: not in the HLR, expected IMSI {card.imsi}" in result.output
