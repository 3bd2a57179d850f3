"""The papers an exam office files for a session: per room the sign-in sheet, the seat plan and the
room report (PDF), and one candidate's whole answer sheet for an appeal."""
