from app.models import Profile, db
from sqlalchemy.orm import selectinload as sl


def groups():
    out = []
    for p in Profile.query.all():
        out.append(p.group.name)  # perfagent: ignore[n-plus-one]
    for p in Profile.query.options(sl(Profile.group)).all():
        out.append(db.session.query(Profile).filter_by(id=p.id).first())
    return [q.group for q in Profile.query.filter(Profile.active == True)]
