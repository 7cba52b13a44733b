"""The customer pick-up board (room ``board``): big order numbers, Preparing and Ready for pick-up."""
