from datetime import UTC, datetime, timedelta

from devstack.scheduler import is_due

AT_1030_IST = datetime(2026, 11, 22, 5, 0, tzinfo=UTC)


def test_a_daily_cron_fires_at_its_minute_and_not_the_next():
    assert is_due("cron(0 5 * * ? *)", AT_1030_IST, None)
    assert not is_due("cron(0 5 * * ? *)", AT_1030_IST + timedelta(minutes=1), None)


def test_a_cron_does_not_fire_twice_in_the_same_minute():
    assert not is_due("cron(0 5 * * ? *)", AT_1030_IST, AT_1030_IST.replace(second=30))


def test_a_cron_with_steps_lists_and_weekday_names_matches_like_eventbridge():
    sunday = datetime(2026, 11, 22, 6, 15, tzinfo=UTC)
    assert is_due("cron(0/15 6 ? * SUN *)", sunday, None)
    assert not is_due("cron(0/15 6 ? * MON-FRI *)", sunday, None)
    assert is_due("cron(15,45 5-7 * * ? *)", sunday, None)


def test_a_rate_fires_once_its_period_has_passed_since_the_last_run():
    assert is_due("rate(5 minutes)", AT_1030_IST, AT_1030_IST - timedelta(minutes=5))
    assert not is_due("rate(1 hour)", AT_1030_IST, AT_1030_IST - timedelta(minutes=59))
