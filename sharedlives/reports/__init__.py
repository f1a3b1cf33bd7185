"""The scheme's reports: each module builds one report's figures in a few
SQL aggregates (``at_a_glance``, ``yearly_count``, ``inspection``) into the
shapes of ``base``, which the pages and the CSV export both read."""
