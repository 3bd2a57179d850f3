"""Practical scenarios: service-phrase checks, data entry, KPIs and Erlang C, rubrics, examiner marking.

Arrives with the practical-assessment work.
"""
