"""The stored objects the web layer names in annotations and reads, re-exported from the store.

``web`` reaches ``governance.store`` only through ``web.deps`` (checked by import-linter): a
route or an endpoint that needs a row's type, or the id helpers, imports them from here.
"""

from __future__ import annotations

from governance.store.ids import MAX_ID as MAX_ID
from governance.store.ids import parse_id as parse_id
from governance.store.tables import Assembly as Assembly
from governance.store.tables import Attendance as Attendance
from governance.store.tables import Category as Category
from governance.store.tables import College as College
from governance.store.tables import Member as Member
from governance.store.tables import MemberRole as MemberRole
from governance.store.tables import Organisation as Organisation
from governance.store.tables import Resolution as Resolution
from governance.store.tables import StatutesVersion as StatutesVersion
from governance.store.tables import User as User
