"""The documentation of rule-based strategies, generated from the code it documents.

pages       the thin views (index, rules, indicators, risk, backtests), cached per language
            and version
indicators  one entry per registered indicator: parameters, outputs, states, warm-up
grammar     the document's keys, operators and their spellings, limits, problems' shape
examples    the example documents shown on the pages, each with its sentences
risk        the risk keys and the worked stop, target and trailing-stop figures
"""
