"""Invoice numbers under concurrency: a new series started by many transactions at once."""

import threading

from billing.invoices import next_number


def test_a_new_series_started_by_concurrent_transactions_numbers_each_once(db):
    # The first invoices of a year, issued at the same moment (e.g. many chargers stopping).
    start = threading.Barrier(8)
    numbers: list[str] = []
    errors: list[Exception] = []

    def issue() -> None:
        start.wait()
        try:
            with db.transaction() as s:
                numbers.append(next_number(s, "INV-2099"))
        except Exception as exc:  # collected: the test asserts there are none
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    assert sorted(numbers) == [f"INV-2099-{n:06d}" for n in range(1, 9)]
