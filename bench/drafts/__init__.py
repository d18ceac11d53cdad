"""The draft benchmark's own examiner: records, checkers and topic matching, independent of heard's draft checks."""
