"""The Chinese typing test (50 字/分): passages, scoring engine, browser widget, keystroke agent.

Arrives with the typing-test work; the package exists so the repository has its final shape.
"""
