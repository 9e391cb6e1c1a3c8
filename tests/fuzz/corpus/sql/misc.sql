CALL db.proc(f(1)); use db
administrator command: Quit