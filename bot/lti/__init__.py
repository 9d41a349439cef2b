"""The LTI 1.3 / LTI Advantage tool (issue 15): Moodle launches the coach, reads its roster, gets the grades.

pylti1p3 does the protocol; this package adapts it to FastAPI (:mod:`.adapters`), keeps its
configuration and keys in the database (:mod:`.registry`, :mod:`.keys`), maps LMS users and
courses to accounts and classes (:mod:`.provisioning`) and sends the grades (:mod:`.grades`).
The routes are in :mod:`bot.web.routes.lti` and :mod:`bot.web.routes.lti_admin`.
"""
