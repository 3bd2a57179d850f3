"""callexam's core: the application factory, configuration, database, accounts and the exam spine.

Kept import-light on purpose: ``import exam.db`` or ``import exam.standard`` must not pull in Flask
views, so engines, migrations and scripts can use them cheaply.
"""

__version__ = "0.1.0"
