def f(rows, other):
    s = ""
    b = b""
    seen = []
    for r in rows:
        s += str(r)
        b += bytes(r)
        if r not in seen:
            seen.append(r)
        for o in other:
            if o.id == r.id:
                s = s + o.name
    while rows:
        x = rows.pop(0)
        s += "%s" % x  # perfagent: ignore
    return s, b, [seen.index(x) for x in rows]
