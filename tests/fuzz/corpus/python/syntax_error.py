def broken(:
    for x in (:
        y += [
