from app.ext import db


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)


class AuditUser(db.Model):  # same table name on another bind: its own MetaData, no conflict
    __bind_key__ = "audit"
    __tablename__ = "user"
    id = db.Column(db.Integer, primary_key=True)


class UserAccount(db.Model):
    __tablename__ = "user"  # the same table as User on the default bind
    id = db.Column(db.Integer, primary_key=True)
