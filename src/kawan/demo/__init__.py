"""The regional demo data set: the 14 ASEAN+3 agencies, indicators from the ChongLuaDao
phishing list, generated fraud reports, Thai scam SMS and the OASIS example reports.

Generation is pure and seeded (`agencies`, `phishing`, `clues`, `fraud`, `thai_sms`);
`build` stores the result in a node.
"""

from kawan.demo.build import build_demo, is_empty

__all__ = ["build_demo", "is_empty"]
