"""dossier"""
