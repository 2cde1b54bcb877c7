"""Training mode: the exercise picker, the trainee's checklist panel (a dock of the main
window) and the instructor's scoreboard. ``TrainingMenu`` wires them into the main window."""
