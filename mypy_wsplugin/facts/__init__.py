"""What the checks need to know: where an expression stands, which definition a name
means, what a callee gives, type questions, declared results."""
