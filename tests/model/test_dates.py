import datetime as dt

import pytest
from hypothesis import given, strategies as st

from generator.model.dates import DateError, PartialDate, parse_partial_date


@pytest.mark.parametrize("value, expected, precision", [
    (2015, "2015", "year"),
    ("2020-01", "2020-01", "month"),
    ("2020-01-02", "2020-01-02", "day"),
    (dt.date(2020, 1, 2), "2020-01-02", "day"),
    ("  2019 ", "2019", "year"),
    ("2020-1-2", "2020-01-02", "day"),
])
def test_parses_every_form_pyyaml_hands_over(value, expected, precision):
    date = parse_partial_date(value)
    assert date.iso() == expected
    assert date.precision == precision


@pytest.mark.parametrize("value, message", [
    ("2020-13", "invalid date '2020-13': month must be from 1 to 12"),
    ("2021-02-30", "invalid date '2021-02-30': February 2021 has 28 days"),
    ("yesterday", "invalid date 'yesterday': expected YYYY, YYYY-MM or YYYY-MM-DD"),
    (True, "invalid date True: expected YYYY, YYYY-MM or YYYY-MM-DD"),
    ("2020-00", "invalid date '2020-00': month must be from 1 to 12"),
])
def test_rejects_impossible_dates(value, message):
    with pytest.raises(DateError) as error:
        parse_partial_date(value)
    assert str(error.value) == message


def test_display_keeps_precision_in_the_site_language():
    assert parse_partial_date(2015).display("en-GB") == "2015"
    assert parse_partial_date("2020-01").display("en-GB") == "January 2020"
    assert parse_partial_date("2020-01-02").display("en-GB") == "2 January 2020"
    assert parse_partial_date("2020-01-02").display("fr") == "2 janvier 2020"
    assert parse_partial_date(2015).display("en-GB", approximate=True) == "c. 2015"
    assert parse_partial_date("2020-01").display("en-GB", approximate=True) == "around January 2020"


def test_year_precision_sorts_before_month_and_day_of_the_same_year():
    dates = [parse_partial_date(v) for v in ["2020-01-02", "2020-01", "2020", "2019-12-31", "2020-02"]]
    assert [d.iso() for d in sorted(dates)] == ["2019-12-31", "2020", "2020-01", "2020-01-02", "2020-02"]


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)), st.sampled_from([1, 2, 3]))
def test_iso_round_trips_at_every_precision(day, parts):
    text = day.isoformat()[: {1: 4, 2: 7, 3: 10}[parts]]
    date = parse_partial_date(text)
    assert date.iso() == text
    assert date.first_day() <= day <= date.last_day()


def test_fraction_of_year():
    assert PartialDate(2015).fraction_of_year() == 0.0
    assert 0.49 < PartialDate(2020, 7).fraction_of_year() < 0.51


def test_spans_are_written_as_readers_write_them():
    from generator.model.dates import display_range

    span = lambda a, b, language="en-GB": display_range(parse_partial_date(a), parse_partial_date(b), language)  # noqa: E731
    assert span("2019-04-19", "2019-04-20") == "19–20 April 2019"
    assert span("2019-04-19", "2019-04-20", "fr") == "19–20 avril 2019"
    assert span("2020-08-31", "2020-09-01") == "31 August 2020 – 1 September 2020"
    assert span("2020-04", "2020-05") == "April\u2009–\u2009May 2020"  # CLDR: thin spaces
    assert span("2014", "2016") == "2014–2016"
    assert span("2020-01", "2020-01-05") == "January 2020 – 5 January 2020"


def test_unpickled_dates_are_shared_not_made_anew():
    import pickle

    from generator.model.dates import partial_date

    dates = pickle.loads(pickle.dumps([PartialDate(2020, 1, 2), PartialDate(2020, 1, 2), PartialDate(2015)]))
    assert dates == [PartialDate(2020, 1, 2), PartialDate(2020, 1, 2), PartialDate(2015)]
    assert dates[0] is dates[1] is partial_date(2020, 1, 2)
