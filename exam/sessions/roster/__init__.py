"""A session's candidates: the roster file, enrolment, identity (ID card, phone, photo), tickets and admission tickets."""
