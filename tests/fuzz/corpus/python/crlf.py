def f(rows):
    s = ""
    for r in rows:
        s += r
    return s
