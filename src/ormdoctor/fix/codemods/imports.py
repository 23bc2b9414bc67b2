"""(filled below)"""
CODEMODS = {}
