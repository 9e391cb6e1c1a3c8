from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class User(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(120))
    group_id = db.Column(db.Integer, db.ForeignKey("group.id"), index=True)


def by_email(e):
    return User.query.filter_by(email=e).first()


def everyone():
    return User.query.order_by(User.email).all()
