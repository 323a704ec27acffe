"""Question, Hits → Answer: quoted sentences with their citations."""
