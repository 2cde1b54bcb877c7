"""The capture browser as a Chromium-family browser installed on the machine (issue #17).

``discover`` finds it, ``flags`` says how it is started, ``engine`` drives it over CDP
through Playwright (never ``playwright install``: no browser is downloaded).
"""
