a/**/b
x/y/z/b
